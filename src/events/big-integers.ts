/**
 * Puts every integer literal of a JSON text that a JavaScript number cannot hold exactly (beyond
 * ±2^53−1) between quotes, so JSON.parse keeps all its digits as a string: falcosidekick forwards
 * `evt.rawtime: 1717000000123456789` and Talon, decoding numbers losslessly, passes on every digit.
 * Numbers with a fraction or an exponent, and everything inside strings, are left as they are.
 */
export function quoteUnsafeIntegers(text: string): string {
  let out: string[] | undefined;
  let copied = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
      continue;
    }
    if (char === 0x22) {
      inString = true;
      continue;
    }
    const isDigit = char >= 0x30 && char <= 0x39;
    if (!isDigit && char !== 0x2d) continue;
    let end = i + 1;
    while (end < text.length && /[0-9.eE+-]/.test(text[end] ?? '')) end++;
    const token = text.slice(i, end);
    // 16 characters or more (with the sign) are needed to pass 2^53; shorter ones are exact.
    if (token.length >= 16 && /^-?[0-9]+$/.test(token) && !Number.isSafeInteger(Number(token))) {
      out ??= [];
      out.push(text.slice(copied, i), `"${token}"`);
      copied = end;
    }
    i = end - 1;
  }
  if (!out) return text;
  out.push(text.slice(copied));
  return out.join('');
}
