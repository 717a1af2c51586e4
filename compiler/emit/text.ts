/** Comment text never ends the comment or the line early (spec paths and names reach comments). */
export const commentSafe = (s: string): string => s.replace(/[\r\n\u2028\u2029]/g, " ").replaceAll("*/", "* /");
