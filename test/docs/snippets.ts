/**
 * Type-checks the TypeScript code blocks of the README and the guides (docs/*.md) against the
 * library's source, so that a guide cannot drift from the API. The conventions are explained to
 * doc writers in docs/README.md ("Code blocks"):
 *
 * - Every ```ts block is its own ES module (top-level `await` works), checked with the
 *   repository's tsconfig.json (strict, `exactOptionalPropertyTypes`, NodeNext). `eni-kit` and
 *   `eni-kit/testing` are the source (`paths`); relative imports resolve from examples/.
 * - A page may have one hidden setup: a ```ts block inside an HTML comment that starts `<!-- setup`.
 *   Its top-level names (imports, `declare const ec2: EC2Client`, …) are in scope in every ```ts
 *   block of the page, except where a block declares the same name itself.
 * - A block with a `return` outside any function is a piece of a function body, and is checked as
 *   the body of an `async function`.
 *
 * All blocks share one `ts.Program`; the blocks are virtual files placed in examples/ (never
 * written), so that package names and relative imports resolve as from the examples.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** A fenced code block of a Markdown page. */
export interface CodeBlock {
  /** The page, relative to the repository, e.g. `docs/testing.md`. */
  readonly file: string;
  /** The 1-based line of the page where the code starts (the line after the opening fence). */
  readonly line: number;
  /** The info string's first word (`ts`, `sh`, …); `""` when the fence has none. */
  readonly lang: string;
  /** The code, with the fence's indentation removed. */
  readonly code: string;
  /** Whether this is the page's hidden setup block. */
  readonly setup: boolean;
}

/** What the compiler said about one block: `file:line:column TS1234: message` each. */
export interface BlockReport {
  readonly block: CodeBlock;
  readonly problems: string[];
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const SETUP_COMMENT = /^\s*<!--\s*setup\b/;

/** The pages whose blocks are checked: the README and the guides (not the generated docs/api). */
export function documentationPages(repo: string): string[] {
  const guides = readdirSync(join(repo, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...guides];
}

/**
 * The fenced code blocks of a Markdown page, in order, including the one of its setup comment.
 * Fences inside other HTML comments are not code, and are skipped.
 */
export function codeBlocks(repo: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(repo, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  let comment: "setup" | "other" | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? "";
    if (comment === undefined && text.trimStart().startsWith("<!--")) {
      if (!text.includes("-->")) comment = SETUP_COMMENT.test(text) ? "setup" : "other";
      continue;
    }
    if (comment !== undefined && text.includes("-->")) {
      comment = undefined;
      continue;
    }
    const open = FENCE.exec(text);
    if (open === null) continue;
    const [, indent = "", marker = "```", lang = ""] = open;
    const body: string[] = [];
    let end = i + 1;
    const closing = new RegExp(`^ {0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
    for (; end < lines.length && !closing.test(lines[end] ?? ""); end++) {
      const line = lines[end] ?? "";
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    if (comment !== "other") {
      blocks.push({ file, line: i + 2, lang, code: body.join("\n") + "\n", setup: comment === "setup" });
    }
    i = end;
  }
  return blocks;
}

type NameKind = "value" | "type";

/** The names a module declares at its top level, and whether each is a value or only a type. */
function topLevelNames(source: ts.SourceFile): Map<string, NameKind> {
  const names = new Map<string, NameKind>();
  const bind = (name: ts.BindingName, kind: NameKind) => {
    if (ts.isIdentifier(name)) names.set(name.text, kind);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name, kind);
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause !== undefined) {
      const clause = statement.importClause;
      if (clause.name !== undefined) names.set(clause.name.text, clause.isTypeOnly ? "type" : "value");
      const bindings = clause.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) {
        names.set(bindings.name.text, clause.isTypeOnly ? "type" : "value");
      } else if (bindings !== undefined) {
        for (const element of bindings.elements) {
          names.set(element.name.text, clause.isTypeOnly || element.isTypeOnly ? "type" : "value");
        }
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name, "value");
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isEnumDeclaration(statement) ||
        ts.isModuleDeclaration(statement)) &&
      statement.name !== undefined &&
      ts.isIdentifier(statement.name)
    ) {
      names.set(statement.name.text, "value");
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      names.set(statement.name.text, "type");
    }
  }
  return names;
}

/** Whether a `return` sits outside every function: the block is a piece of a function body. */
function returnsAtTopLevel(node: ts.Node): boolean {
  if (ts.isReturnStatement(node)) return true;
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  return ts.forEachChild(node, returnsAtTopLevel) ?? false;
}

const hasModuleSyntax = (source: ts.SourceFile) =>
  source.statements.some((statement) => ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement));

/** A block as a virtual file: the text, and where the block's own code starts in it. */
interface VirtualFile {
  readonly path: string;
  readonly text: string;
  readonly offset: number;
  readonly block: CodeBlock;
}

const parse = (path: string, text: string) => ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);

/** The compiler options: the repository's tsconfig.json, as tsc and the examples use it. */
function compilerOptions(repo: string): ts.CompilerOptions {
  const configPath = join(repo, "tsconfig.json");
  const { config, error } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, repo, { noEmit: true }, configPath);
  return { ...parsed.options, noUnusedLocals: false, noUnusedParameters: false };
}

/** Turns every ```ts block of the pages into virtual files under examples/. */
function virtualFiles(repo: string, pages: readonly string[]): VirtualFile[] {
  const files: VirtualFile[] = [];
  for (const page of pages) {
    const blocks = codeBlocks(repo, page).filter((block) => block.lang === "ts");
    const slug = page.replace(/\.md$/, "").replace(/[^A-Za-z0-9]+/g, "-");
    const base = join(repo, "examples", `__snippet__.${slug}`);
    const setups = blocks.filter((block) => block.setup);
    if (setups.length > 1)
      throw new Error(`${page}: more than one setup comment (lines ${setups.map((b) => b.line).join(", ")})`);
    const setup = setups[0];
    let setupNames = new Map<string, NameKind>();
    if (setup !== undefined) {
      setupNames = topLevelNames(parse("setup.mts", setup.code));
      const values = [...setupNames].filter(([, kind]) => kind === "value").map(([name]) => name);
      const types = [...setupNames].filter(([, kind]) => kind === "type").map(([name]) => name);
      const text = `${setup.code}export { ${values.join(", ")} };\nexport type { ${types.join(", ")} };\n`;
      files.push({ path: `${base}.setup.mts`, text, offset: 0, block: setup });
    }
    for (const block of blocks.filter((b) => !b.setup)) {
      const source = parse("block.mts", block.code);
      const own = topLevelNames(source);
      const given = [...setupNames].filter(([name]) => !own.has(name));
      const imports =
        given.length === 0
          ? ""
          : `import { ${given.map(([name, kind]) => (kind === "type" ? `type ${name}` : name)).join(", ")} } ` +
            `from "./__snippet__.${slug}.setup.mjs";\n`;
      // A piece of a function body becomes one; the prefix shares the block's first line so that
      // line numbers stay the page's.
      const wrap = returnsAtTopLevel(source) && !hasModuleSyntax(source);
      const prefix = wrap ? "async function __pieceOfABody() { " : "";
      const suffix = wrap ? "}\n" : "";
      const text = `${prefix}${block.code}${suffix}${imports}export {};\n`;
      files.push({ path: `${base}.L${block.line}.mts`, text, offset: prefix.length, block });
    }
  }
  return files;
}

/** Where a diagnostic points, as `page:line:column`, counted in the page. */
function locate(file: VirtualFile, start: number | undefined): string {
  const { block } = file;
  const at = (start ?? file.offset) - file.offset;
  if (at < 0 || at > block.code.length) return `${block.file}:${block.line} (in the code added around the block)`;
  const before = block.code.slice(0, at).split("\n");
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `${block.file}:${block.line + before.length - 1}:${column}`;
}

/**
 * Compiles every ```ts block of the pages in one program and returns, per block (setup blocks
 * included), what the compiler found wrong: syntax and type errors.
 */
export function checkSnippets(repo: string, pages: readonly string[]): BlockReport[] {
  const files = virtualFiles(repo, pages);
  const byPath = new Map(files.map((file) => [file.path, file]));
  const options = compilerOptions(repo);
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (path, languageVersion, ...rest) => {
    const file = byPath.get(path);
    return file === undefined
      ? getSourceFile.call(host, path, languageVersion, ...rest)
      : ts.createSourceFile(path, file.text, languageVersion, true);
  };
  host.fileExists = (path) => byPath.has(path) || fileExists.call(host, path);
  host.readFile = (path) => byPath.get(path)?.text ?? readFile.call(host, path);
  const program = ts.createProgram({ rootNames: [...byPath.keys()], options, host });

  return files.map((file) => {
    const source = program.getSourceFile(file.path);
    if (source === undefined) throw new Error(`${file.path} is not in the program`);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    const problems = diagnostics.map(
      (d) => `${locate(file, d.start)} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
    return { block: file.block, problems };
  });
}

/** A block's name in test titles: `docs/testing.md:31`. */
export const blockName = (block: CodeBlock) => `${block.file}:${block.line}`;
