/** Renders rows as aligned text columns; `highlight` marks rows that must stand out. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], highlight: (row: number) => boolean = () => false): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), ...rows.map((row, index) => `${line(row)}${highlight(index) ? '  <- dead letters' : ''}`)].join('\n');
}
