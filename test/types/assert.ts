/** Compile-time assertions: `Expect<Equal<A, B>>` fails to compile unless A and B are the same type. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Expect<T extends true> = T;
export type IsAny<T> = 0 extends 1 & T ? true : false;
/** The event a listener prop's handler receives (`never` when the prop is not a one-argument function). */
export type HandlerEvent<H> = NonNullable<H> extends (event: infer E) => unknown ? E : never;
