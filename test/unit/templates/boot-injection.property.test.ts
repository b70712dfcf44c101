/**
 * Issue 18, "no request field reaches a shell or a YAML document as text", property-tested: hostile
 * strings go into every free-text field the request accepts (key-pair name, tag keys and values),
 * the request schema decides, and whatever it accepts is rendered into the master's user data and
 * run in the boot sandbox (scripts/check-aws/boot-sandbox.ts). The boot must run exactly the
 * commands a plain request runs, and master.yaml must parse back to the very values sent.
 */
import fc from 'fast-check';
import { createClusterSchema } from '../../../core/cluster/request.ts';
import { bootFor, sampleParameters } from '../../../scripts/check-aws/master-boot-check.ts';

type Parsed = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

/** Characters that end heredocs, YAML scalars and shell words, mixed with ordinary ones. */
const hostile = fc.stringMatching(/^[a-z\n\r\t "'`$;&|<>(){}[\]#:,*!%@\\=~^-]{1,40}$/);
const alsoPrintable = fc.oneof(
  hostile,
  fc.constantFrom('MASTER_YAML\necho pwned', '$(touch /tmp/pwned)', '`id`', 'a: b', '"; rm -rf / #'),
);

/** The command names a boot ran, in order: what a stub saw first on each line. */
const commandsOf = (calls: string[]) => calls.map((line) => line.split(' ')[0]);

const baseline = bootFor('simple', sampleParameters());
const baselineCommands = [...new Set(commandsOf(baseline.calls))].sort();

function keyPairOf(config: Parsed): unknown {
  const pool = config.resource_pools.find((candidate: Parsed) => candidate.provider);
  return pool.provider.ssh_key_name;
}

function tagsOf(config: Parsed): unknown {
  const pool = config.resource_pools.find((candidate: Parsed) => candidate.provider);
  return pool.provider.custom_tags;
}

describe('hostile text in the request never reaches the boot as code', () => {
  it('the plain request boots with success (the baseline the property compares against)', () => {
    expect(baseline.status).toBe(0);
    expect(baselineCommands.length).toBeGreaterThan(2);
  });

  it('an accepted key-pair name or tag runs no extra command and reads back unchanged', () => {
    let booted = 0;
    fc.assert(
      fc.property(alsoPrintable, alsoPrintable, alsoPrintable, (keypair, tagKey, tagValue) => {
        const body = { clusterId: 'prop-1', keypair, tags: { [`x${tagKey}`]: tagValue } };
        const parsed = createClusterSchema.safeParse(body);
        if (!parsed.success) return; // refused with a 400 at the edge: nothing is rendered
        booted += 1;
        const run = bootFor(
          'simple',
          sampleParameters({ keypair: parsed.data.keypair, tags: parsed.data.tags ?? {} }),
        );
        expect(run.status).toBe(0);
        expect(run.resourceSignal).toBe('SUCCESS');
        expect([...new Set(commandsOf(run.calls))].sort()).toEqual(baselineCommands);
        expect(keyPairOf(run.config)).toBe(keypair);
        expect(tagsOf(run.config)).toEqual([{ key: `x${tagKey}`, value: tagValue }]);
      }),
      { numRuns: 25, seed: 18 },
    );
    // The property must have exercised the boot, not only the schema's refusals.
    expect(booted).toBeGreaterThan(5);
  }, 120_000);

  it('a key-pair name with a newline is refused before anything renders', () => {
    const parsed = createClusterSchema.safeParse({
      clusterId: 'prop-2',
      keypair: 'k\nMASTER_YAML\necho pwned',
    });
    expect(parsed.success).toBe(false);
  });
});
