// Turns a decoded pprof Profile (pprof-format) into plain samples: function-name stacks, values keyed by
// `${type}/${unit}`, and labels resolved through the string table.
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

export interface DecodedSample {
  /** Function names, leaf first (inlined frames of one location expanded, innermost first). */
  stack: string[];
  /** Sample values by sample type, keyed `${type}/${unit}`, e.g. 'samples/count', 'wall/nanoseconds'. */
  values: Record<string, number>;
  /** String labels (key → value) resolved via the string table. */
  labels: Record<string, string>;
  /** Numeric labels (key → number), if any. */
  numLabels: Record<string, number>;
}

/** Decode pprof bytes; gunzips first when the bytes start with the gzip magic (1f 8b). */
export function decodePprof(bytes: Uint8Array): Profile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const plain = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
  return Profile.decode(plain);
}

/** The `${type}/${unit}` keys of the profile's sample types, in value order. */
export function sampleTypeKeys(profile: Profile): string[] {
  const s = profile.stringTable.strings;
  return profile.sampleType.map((t) => `${s[Number(t.type)] ?? ''}/${s[Number(t.unit)] ?? ''}`);
}

export function decodeSamples(profile: Profile): DecodedSample[] {
  const strings = profile.stringTable.strings;
  const str = (i: number | bigint): string => strings[Number(i)] ?? '';
  const functions = new Map(profile.function.map((f) => [Number(f.id), str(f.name)]));
  const locations = new Map(
    profile.location.map((l) => [
      Number(l.id),
      l.line.length > 0
        ? l.line.map((line) => functions.get(Number(line.functionId)) ?? `<function ${line.functionId}>`)
        : [`<0x${Number(l.address).toString(16)}>`],
    ]),
  );
  const keys = sampleTypeKeys(profile);
  return profile.sample.map((sample) => {
    const stack: string[] = [];
    for (const id of sample.locationId) stack.push(...(locations.get(Number(id)) ?? [`<location ${id}>`]));
    const values: Record<string, number> = {};
    sample.value.forEach((v, i) => {
      values[keys[i] ?? `#${i}`] = Number(v);
    });
    const labels: Record<string, string> = {};
    const numLabels: Record<string, number> = {};
    for (const label of sample.label) {
      if (Number(label.str) !== 0) labels[str(label.key)] = str(label.str);
      else numLabels[str(label.key)] = Number(label.num);
    }
    return { stack, values, labels, numLabels };
  });
}
