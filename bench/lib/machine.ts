// What the numbers were measured on.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, platform, release } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  git: string;
}

export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${platform()} ${release()}`,
    node: execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim(),
    git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(),
  };
}
