import assert from "node:assert/strict";
import { ASCII_LEVELS, localeIsUtf8, sparkline } from "./sparkline.ts";

Deno.test("counts scale to the largest shown: eight levels, zero is a gap", () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8], 20), " ▁▂▃▄▅▆▇█");
  assert.equal(sparkline([16, 8, 1], 20), "█▄▁", "small non-zero counts still show");
  assert.equal(sparkline([0, 0, 0], 20), "   ");
  assert.equal(sparkline([], 20), "");
});

Deno.test("only the newest values that fit are drawn, scaled among themselves", () => {
  assert.equal(sparkline([100, 1, 2], 2), "▄█");
  assert.equal(sparkline([1, 2, 3], 0), "");
  assert.equal(sparkline([1, 2, 3], -4), "");
});

Deno.test("ASCII levels where the locale is not UTF-8", () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8], 20, ASCII_LEVELS), " _.,-=+*#");
  assert.equal(localeIsUtf8({ LANG: "en_US.UTF-8" }), true);
  assert.equal(localeIsUtf8({ LANG: "C.utf8" }), true);
  assert.equal(localeIsUtf8({ LC_ALL: "C", LANG: "en_US.UTF-8" }), false, "LC_ALL rules");
  assert.equal(localeIsUtf8({ LC_CTYPE: "UTF-8" }), true);
  assert.equal(localeIsUtf8({}), false);
});
