/** npm stop: ends the control plane `npm start` left running in the background (started from a script). */
import { stopBackground } from './start.ts';

console.log(stopBackground() ? 'stopped' : 'no background control plane found');
