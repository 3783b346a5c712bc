import type { Command } from "commander"; import type { Io } from "./main.js"; export function registerServe(_p: Command, _io: Io): void {}
