/**
 * A message of several lines as the one line the CLI writes on stderr (scripts and people read its first line): its
 * lines joined, and a list's `- ` items as clauses: `has 2 problems: a; b. Fix it` rather than `problems: - a - b Fix it`.
 */
export function oneLine(message: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines
    .map((line, index) => {
      if (!line.startsWith('- ')) return line;
      const item = line.slice(2);
      const next = lines[index + 1];
      if (next === undefined || /[.;:!?]$/.test(item)) return item;
      return `${item}${next.startsWith('- ') ? ';' : '.'}`;
    })
    .join(' ');
}
