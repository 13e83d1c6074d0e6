import assert from "node:assert/strict";
import { exactFixed3, formatFixed3, zeroPad6 } from "./number_format.ts";

Deno.test("formatFixed3: values checked against Python '%.3f'", () => {
  const cases: [number, string][] = [
    [0.0625, "0.062"], // exact binary tie: half-even, where toFixed gives 0.063
    [-0.0625, "-0.062"],
    [0.1875, "0.188"],
    [0.3125, "0.312"],
    [1.0625, "1.062"],
    [2.5, "2.500"],
    [0.0005, "0.001"],
    [0.0015, "0.002"],
    [1.0005, "1.000"],
    [0, "0.000"],
    [-0, "-0.000"],
    [-0.0001, "-0.000"],
    [0.0004999, "0.000"],
    [1795648150.539 - 1795648150.528, "0.011"],
    [1795648150.539 - 1795648150.533, "0.006"],
    [1795648151.548 - 1795648150.543, "1.005"],
    [1e21, "1000000000000000000000.000"],
    [123456789012345678901234, "123456789012345685803008.000"],
    [5e-324, "0.000"],
    [0.9995, "1.000"],
    [0.9994999999999999, "0.999"],
    [1795647824.005, "1795647824.005"],
    [999.9995, "1000.000"],
    [-999.9995, "-1000.000"],
    [2 ** 60, "1152921504606846976.000"],
    [-160383806563913.8, "-160383806563913.812"], // ...913.8125 exactly
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
  ];
  for (const [x, want] of cases) assert.equal(formatFixed3(x), want, String(x));
  assert.equal(
    formatFixed3(Number.MAX_VALUE),
    "1797693134862315708145274237317043567980705675258449965989174768031572607800285387605895" +
      "5863276687817154045895351438246423432132688946418276846754670353751698604991057655128207" +
      "6245490090389328944075868508455133942304583236903222948165808559332123348274797826204144" +
      "723168738177180919299881250404026184124858368.000",
  );
});

Deno.test("formatFixed3: agrees with toFixed(3) away from exact ties", () => {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let n = 0; n < 20000; n++) {
    const x = (rand() - 0.5) * 10 ** Math.floor(rand() * 24 - 6);
    // An exact tie x = (k + 0.5) / 1000 must be an odd multiple of 1/16 to be a double.
    if (Number.isInteger(x * 16)) continue;
    assert.equal(formatFixed3(x), x.toFixed(3), String(x));
  }
});

Deno.test("zeroPad6: C %06d with the sign inside the width", () => {
  const cases: [number, string][] = [
    [-1, "-00001"],
    [7, "000007"],
    [0, "000000"],
    [-0, "000000"],
    [123456, "123456"],
    [1234567, "1234567"],
    [-12345, "-12345"],
    [-123456, "-123456"],
    [-1234567, "-1234567"],
  ];
  for (const [n, want] of cases) assert.equal(zeroPad6(n), want, String(n));
});

Deno.test("formatFixed3: the toFixed path agrees with the exact one on random values and ties", () => {
  let seed = 7;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const values: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    values.push(1_790_000_000 + rand() * 1e7); // epoch times
    values.push(rand() * 10 - 5); // durations, both signs
    values.push(Math.round(rand() * 1e6) / 16); // every multiple of 1/16, ties included
    values.push(Math.round(rand() * 1e6) / 1000 + 0.0005); // near-ties in decimal
    values.push((rand() - 0.5) * 10 ** Math.floor(rand() * 25 - 4));
  }
  for (const x of values) assert.equal(formatFixed3(x), exactFixed3(x), String(x));
});
