/**
 * The gulp plugin's errors: every failure reaches gulp as a PluginError of the plugin `suppack`,
 * emitted on the stream (never thrown inside it); only bad options throw, when a plugin is created.
 */
import PluginError from 'plugin-error';
import { isSuppackError } from '../core';

export const PLUGIN_NAME = 'suppack';

/**
 * `e` as a PluginError. A SuppackError's one-line message already names the file and the field,
 * so its properties are not repeated under the message.
 */
export function pluginError(e: unknown, fileName?: string): PluginError {
  if (e instanceof PluginError) return e;
  const options = fileName === undefined ? {} : { fileName };
  if (isSuppackError(e)) return new PluginError(PLUGIN_NAME, e, { ...options, showProperties: false });
  if (e instanceof Error) return new PluginError(PLUGIN_NAME, e, options);
  return new PluginError(PLUGIN_NAME, String(e), options);
}
