// The YAML editor: CodeMirror 6 with completion and hover from the spec's JSON Schema, and
// a linter that asks the server, which runs `netspec validate` on the text. Every error is
// marked at the line and column the CLI reports, with the CLI's own message.

import { yaml, yamlLanguage } from "@codemirror/lang-yaml";
import { linter, lintGutter, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, hoverTooltip } from "@codemirror/view";
import { basicSetup } from "codemirror";
import * as jsonSchema from "codemirror-json-schema";
import { yamlCompletion, yamlSchemaHover } from "codemirror-json-schema/yaml";
import type { Extension } from "@codemirror/state";
import type { PageDiagnostic } from "./api.ts";

// The package's type declarations re-export `export *` without file extensions, which
// NodeNext resolution drops; the function is there at run time.
const { stateExtensions } = jsonSchema as unknown as { stateExtensions: (schema: object) => Extension[] };

export interface EditorHooks {
  /** Checks the text on the server: `netspec validate`'s diagnostics (rejects when the server cannot be reached). */
  readonly check: (source: string) => Promise<{ errors: PageDiagnostic[]; warnings: PageDiagnostic[] }>;
  /** After each check of the current text. */
  readonly checked: (source: string, errors: PageDiagnostic[], warnings: PageDiagnostic[]) => void;
}

/** A CLI position (1-based line and column) as a document offset, clamped into the document. */
export function offsetOf(state: EditorState, line: number, col: number): number {
  const l = state.doc.line(Math.min(Math.max(1, line), state.doc.lines));
  return Math.min(l.from + Math.max(0, col - 1), l.to);
}

/** The marked range: from the column to the end of the word there (at least one character where the line has one). */
function rangeOf(state: EditorState, d: PageDiagnostic): { from: number; to: number } {
  const from = offsetOf(state, d.line, d.col);
  const line = state.doc.lineAt(from);
  const rest = line.text.slice(from - line.from);
  const word = /^[^\s:,\]}]+/.exec(rest)?.[0].length ?? (rest.length ? 1 : 0);
  return { from, to: from + word };
}

export function createEditor(parent: HTMLElement, schema: object, hooks: EditorHooks): EditorView {
  const serverLint = linter(
    async (view): Promise<LintDiagnostic[]> => {
      const source = view.state.doc.toString();
      const { errors, warnings } = await hooks.check(source);
      if (view.state.doc.toString() !== source) return []; // a newer check follows
      hooks.checked(source, errors, warnings);
      return [...errors, ...warnings].map((d) => ({
        ...rangeOf(view.state, d),
        severity: d.severity === "warning" ? "warning" : "error",
        // The head line exactly as the CLI prints it: file:line:col: error: message.
        message: d.text.split("\n")[0]!,
      }));
    },
    { delay: 250 },
  );
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: "",
      extensions: [
        basicSetup,
        yaml(),
        stateExtensions(schema),
        yamlLanguage.data.of({ autocomplete: yamlCompletion() }),
        hoverTooltip(yamlSchemaHover()),
        serverLint,
        lintGutter(),
        EditorView.theme({ "&": { height: "100%" }, ".cm-scroller": { fontFamily: "var(--mono)" } }),
      ],
    }),
  });
}

export function setText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
