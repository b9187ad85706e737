// The rules live, with the reason for each, in test/html/config.ts (the tests check every page with them).
export { default } from './test/html/config.ts';
