import { placeholderHandler } from '../lib/runtime/placeholder-handler.ts';

export const handler = placeholderHandler('invoice-generator');
