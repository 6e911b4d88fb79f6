// Type-aware lint: the rules that catch real bugs in an async service
// (floating and misused promises) and keep the code honest (no any, no
// assertions the compiler already knows). Formatting is Prettier's job.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["src/generated/**", "node_modules/**", "data/**", "test-output/**", "dist/**", "**/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // Input sanitizers match control characters on purpose (intake names, CSV cells, log masking).
      "no-control-regex": "off",
      // Empty catch blocks are deliberate where a best-effort cleanup may fail; they carry a comment.
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
  {
    // Tests read JSON response bodies loosely and assert their shape field by field.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The pages' browser scripts are plain JavaScript for the browser, not part of the TypeScript project.
    files: ["src/**/*.client.js", "src/web/assets/*.js"],
    languageOptions: {
      globals: { window: "readonly", document: "readonly", fetch: "readonly", EventSource: "readonly" },
    },
  },
);
