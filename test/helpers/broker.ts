// `startTestBroker(t)`: a broker in this process on a free port and a fresh
// data directory, closed and removed when the test ends. The name STYLE.md
// uses; the implementation is shared with startInProcessBroker.
//
//   const broker = await startTestBroker(t);
//   await runCli(['topic', 'list', '-b', broker.bootstrap]);

export { startInProcessBroker as startTestBroker } from './in-process-broker.js';
