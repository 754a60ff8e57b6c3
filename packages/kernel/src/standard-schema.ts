// The Standard Schema interface (https://standardschema.dev), declared here rather than imported so the
// kernel accepts zod, valibot or ArkType schemas without depending on any of them.

/** A schema the kernel can validate a config section with (zod 4 schemas implement it). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

/** The `~standard` property of a {@link StandardSchemaV1}. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
  /** Present only in types; carries the inferred input and output. */
  readonly types?: StandardSchemaTypes<Input, Output> | undefined;
}

/** Type carrier of a {@link StandardSchemaV1}; never present at runtime. */
export interface StandardSchemaTypes<Input = unknown, Output = Input> {
  readonly input: Input;
  readonly output: Output;
}

/** What `validate` returns: a value, or issues. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** One validation problem. Vendors add fields (zod: `code`, `keys`), which the kernel reads when present. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The validated output type of a schema. */
export type InferSchemaOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];
