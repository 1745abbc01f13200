/** Runs once per `vitest run`: nothing shared to prepare yet beyond the environment. */
export default function setup(): void {}
