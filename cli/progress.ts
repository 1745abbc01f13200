/**
 * Progress for long steps: a live status line on a terminal, nothing otherwise
 * (pipes, CI, --json), so machine-readable output stays clean.
 */
export interface Progress {
  update(message: string): void;
  done(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function progressFor(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return { update() {}, done() {} };
  const start = performance.now();
  let message = '';
  let frame = 0;
  const draw = (): void => {
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${message} (${seconds}s)`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(m) {
      message = m.trim().split('\n').pop() ?? '';
      draw();
    },
    done() {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
