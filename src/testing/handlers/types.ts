/** A command's output as a handler produces it: the simulator adds `$metadata`. */
export type Output<T> = Omit<T, "$metadata">;
