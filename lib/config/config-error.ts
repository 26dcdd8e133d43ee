import { PostboxError } from '../postbox-error.ts';

/** `postbox.config.ts` is missing, cannot be loaded, or declares something invalid (every problem at once). */
export class ConfigError extends PostboxError {
  readonly code: 'CONFIG_NOT_FOUND' | 'CONFIG_INVALID';

  constructor(code: 'CONFIG_NOT_FOUND' | 'CONFIG_INVALID', message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
