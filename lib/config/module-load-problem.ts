/** A line of esbuild's report (tsx loads TypeScript through it): `<file>:<line>:<column>: ERROR: <text>`, column from 0. */
const ESBUILD_ERROR = /^(.+):(\d+):(\d+): ERROR: (.*)$/;

/**
 * Why a module of the project (config, topology, workers) could not be imported, in one line: the CLI
 * promises one line per failure, and esbuild's report of a syntax error takes two or more ("Transform
 * failed with 1 error:" and then the place). A syntax error says where, in `file` or in a module it imports.
 */
export function moduleLoadProblem(error: unknown, file: string): string {
  // Not instanceof: a loader may throw an error of another realm, or a plain object with a message.
  const { name, message } = typeof (error as Error | null)?.message === 'string' ? (error as Error) : { name: 'Error', message: String(error) };
  const syntaxErrors = message
    .split('\n')
    .map((line) => ESBUILD_ERROR.exec(line))
    .filter((match) => match !== null);
  if (syntaxErrors.length > 0) {
    return syntaxErrors
      .map(([, at, line, column, text]) => {
        const where = at === file ? `line ${line}, column ${Number(column) + 1}` : `${at}:${line}:${Number(column) + 1}`;
        return `syntax error at ${where}: ${text}`;
      })
      .join('; ');
  }
  // Node's own SyntaxError (a .mjs or .js config) keeps its place out of the message: the file is all there is.
  if (name === 'SyntaxError') return `syntax error: ${oneLine(message)}`;
  return `${typeof name === 'string' && name !== 'Error' ? `${name}: ` : ''}${oneLine(message)}`;
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}
