/**
 * A name built from fixed text and named slots, defined once and rendered for each runtime that has
 * to produce or read it: a TypeScript value, a Step Functions intrinsic (`States.Format`) and a
 * CloudFormation `Fn::Sub` string, plus the inverse (a name back into its slots). A rule that two
 * runtimes share is written here only; test/unit/names checks that the renderings agree.
 */
type Part<Slot extends string> = { text: string } | { slot: Slot };

const SLOT = /\{([a-zA-Z]+)\}/g;

/**
 * Characters a `States.Format` literal must escape. Step Functions escapes them with a backslash,
 * but the validators and interpreters the tests use disagree on `\\`, so fixed text may not hold
 * them at all (no shared name needs them); `$` is refused too, as it starts a CloudFormation variable.
 */
const SPECIAL = /['\\{}$]/;

export class NameFormat<Slot extends string> {
  private readonly parts: Part<Slot>[] = [];
  private readonly matcher: RegExp;

  /**
   * @param pattern fixed text with `{slot}` placeholders, e.g. `CLUSTER#{team}#{clusterId}`
   * @param slots what each slot may hold; `parse` accepts only names whose slots match
   */
  constructor(
    readonly pattern: string,
    private readonly slots: Record<Slot, RegExp>,
  ) {
    let at = 0;
    const text = (from: number, to: number) => {
      const fixed = pattern.slice(from, to);
      if (SPECIAL.test(fixed)) throw new Error(`${pattern}: fixed text may not hold ' \\ { } $`);
      if (fixed) this.parts.push({ text: fixed });
    };
    for (const match of pattern.matchAll(SLOT)) {
      text(at, match.index);
      const slot = match[1] as Slot;
      if (!(slot in slots)) throw new Error(`${pattern}: slot {${slot}} has no rule`);
      this.parts.push({ slot });
      at = match.index + match[0].length;
    }
    text(at, pattern.length);
    const source = this.parts
      .map((part) =>
        'text' in part
          ? part.text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
          : `(?<${part.slot}>${this.slots[part.slot].source.replace(/^\^/, '').replace(/\$$/, '')})`,
      )
      .join('');
    this.matcher = new RegExp(`^${source}$`);
  }

  /** The value in TypeScript. */
  format(values: Record<Slot, string>): string {
    return this.parts.map((part) => ('text' in part ? part.text : values[part.slot])).join('');
  }

  /** A `States.Format(...)` intrinsic; each slot read from a JSONPath (or another intrinsic). */
  asl(paths: Record<Slot, string>): string {
    const literal = this.parts.map((part) => ('text' in part ? part.text : '{}')).join('');
    const args = this.parts.flatMap((part) => ('slot' in part ? [paths[part.slot]] : []));
    return `States.Format('${literal}'${args.map((arg) => `, ${arg}`).join('')})`;
  }

  /** The string of an `Fn::Sub`; each slot a CloudFormation variable (`AWS::StackName`, a parameter). */
  cfnSub(variables: Record<Slot, string>): string {
    return this.parts.map((part) => ('text' in part ? part.text : `\${${variables[part.slot]}}`)).join('');
  }

  /** The slots of a name this format made, or undefined for any other string. */
  parse(name: string): Record<Slot, string> | undefined {
    const groups = this.matcher.exec(name)?.groups;
    return groups ? ({ ...groups } as Record<Slot, string>) : undefined;
  }
}
