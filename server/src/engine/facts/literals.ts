// The value of a literal expression, as both language resolvers evaluate it.
export interface LiteralValue {
  value: string | number | boolean | null;
}
