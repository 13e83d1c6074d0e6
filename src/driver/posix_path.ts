/**
 * The three POSIX path operations the driver needs, with node:path's results. Loading any
 * `node:` module first sets up Deno's Node compatibility layer, ≈ 8 ms of every run's start-up
 * on the way to the first task; these few lines cost nothing.
 * @module
 */

/** `a/b/c` → `c`; trailing slashes are ignored (`a/b/` → `b`), as in node:path. */
export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** `a/b/c` → `a/b`, `/a` → `/`, `a` → `.`; trailing slashes are ignored, as in node:path. */
export function dirname(path: string): string {
  if (path === "") return ".";
  const trimmed = path.replace(/(.)\/+$/, "$1");
  const i = trimmed.lastIndexOf("/");
  if (i === -1) return ".";
  return i === 0 ? "/" : trimmed.slice(0, i);
}

/**
 * The absolute, normalised path of `parts` joined from the right (a part that starts with `/`
 * starts over), relative to the working directory; no symbolic link is resolved.
 */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
    if (parts[i] !== "") path = path === "" ? parts[i] : `${parts[i]}/${path}`;
  }
  if (!path.startsWith("/")) path = `${Deno.cwd()}/${path}`;
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}
