/** The server entry NocoBase requires (`main: ./dist/server/index.js`). */
export { PluginWeComBridgeServer as default } from './plugin.js';
