// `node --import` this file to run as on a host that installed neither `pg` nor `redis` (both are optional peer
// dependencies): importing either fails as a missing package does.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier === 'pg' || specifier === 'redis') {
        const error = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
        error.code = 'ERR_MODULE_NOT_FOUND';
        throw error;
      }
      return next(specifier, context);
    }
  `)}`,
);
