// The taint analysis on small programs: each case marks the queried expression with «…» and
// says whether it is tainted (and from which kind of source) or clean.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JavaScriptFacts } from '../../server/src/engine/facts/javascript';
import { PythonFacts } from '../../server/src/engine/facts/python';
import { TaintAnalysis } from '../../server/src/engine/taint/analysis';
import { JavaScriptTaintAdapter } from '../../server/src/engine/taint/javascript';
import { PythonTaintAdapter } from '../../server/src/engine/taint/python';
import type { TaintLabel, TaintPath, TaintQuery } from '../../server/src/engine/taint/types';
import { sharedEngine } from '../harness/engine';

async function query(language: 'python' | 'typescript', marked: string, q: TaintQuery): Promise<TaintPath | undefined> {
  const start = marked.indexOf('«');
  const end = marked.indexOf('»') - 1;
  assert.ok(start >= 0 && end > start, 'mark the queried expression with «…»');
  const text = marked.replace('«', '').replace('»', '');
  const engine = await sharedEngine();
  const tree = engine.parse(language, text);
  try {
    const node = tree.rootNode.descendantForIndex(start, end)!;
    assert.equal(node.text, text.slice(start, end), 'the mark must cover exactly one node');
    const analysis = new TaintAnalysis(language === 'python' ? new PythonTaintAdapter(new PythonFacts(tree)) : new JavaScriptTaintAdapter(new JavaScriptFacts(tree)));
    return analysis.taintOf(node, q);
  } finally {
    tree.delete();
  }
}

const untrusted: TaintQuery = { labels: ['untrusted'] };
const output: TaintQuery = { labels: ['llm-output'] };

async function expectTaint(language: 'python' | 'typescript', code: string, q: TaintQuery, label: TaintLabel, source: RegExp) {
  const path = await query(language, code, q);
  assert.ok(path, `expected taint in:\n${code}`);
  assert.equal(path.label, label);
  assert.match(path.source, source);
  return path;
}

async function expectClean(language: 'python' | 'typescript', code: string, q: TaintQuery) {
  const path = await query(language, code, q);
  assert.equal(path, undefined, `expected clean, got ${path?.steps.map((s) => s.message).join(' → ')}`);
}

const FLASK = 'from flask import Flask, request\napp = Flask(__name__)\n';
const OPENAI_PY = 'from openai import OpenAI\nclient = OpenAI()\n';

describe('taint: Python propagation', () => {
  it('follows assignments, f-strings, format, %, + and join from a Flask request', async () => {
    const path = await expectTaint(
      'python',
      `${FLASK}@app.post("/x")\ndef x():\n    q = request.form["q"]\n    a = f"about {q}"\n    b = "topic: {}".format(a)\n    c = "%s!" % b\n    d = " ".join(["x", c]) + "."\n    return «d»\n`,
      untrusted,
      'untrusted',
      /HTTP request/,
    );
    assert.ok(path.steps.length >= 5, path.steps.map((s) => s.message).join(' → '));
  });

  it('follows containers, attribute and subscript reads, await, tuple unpacking and loops', async () => {
    await expectTaint('python', `${FLASK}def f():\n    msgs = [{"text": request.args.get("q")}]\n    first, *_ = msgs\n    for m in [first]:\n        t = m["text"]\n    return «t»\n`, untrusted, 'untrusted', /HTTP request/);
    await expectTaint('python', `${OPENAI_PY}async def f(p):\n    r = await client.responses.create(model="m", input=p)\n    return «r.output_text»\n`, output, 'llm-output', /model output/);
  });

  it('follows helper functions in the same file: returns and parameters', async () => {
    await expectTaint('python', `${FLASK}def wrap(text):\n    return "<" + text + ">"\ndef f():\n    u = request.json["u"]\n    w = wrap(u)\n    return «w»\n`, untrusted, 'untrusted', /HTTP request/);
    await expectTaint('python', `${FLASK}def build(text):\n    prompt = "Summarize " + text\n    return «prompt»\ndef f():\n    build(request.data)\n`, untrusted, 'untrusted', /HTTP request/);
  });

  it('treats route and tool handler parameters as sources', async () => {
    await expectTaint('python', 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/items")\ndef items(q: str):\n    return «q»\n', untrusted, 'untrusted', /HTTP handler `items`/);
    await expectTaint('python', 'from langchain_core.tools import tool\n@tool\ndef run(cmd: str):\n    """Run."""\n    return «cmd»\n', output, 'llm-output', /tool `run`/);
    await expectTaint('python', 'from django.http import HttpResponse\ndef view(request):\n    return «request.GET["q"]»\n', untrusted, 'untrusted', /Django request/);
  });

  it('follows lambdas given to map and filter', async () => {
    await expectTaint('python', `${FLASK}def f():\n    words = request.args["q"].split()\n    return list(map(lambda w: «w», words))\n`, untrusted, 'untrusted', /HTTP request/);
  });

  it('sees through closures and augmented assignment', async () => {
    await expectTaint('python', `${FLASK}def f():\n    q = request.args["q"]\n    def inner():\n        return «q»\n    return inner\n`, untrusted, 'untrusted', /HTTP request/);
    await expectTaint('python', `${FLASK}def f():\n    p = "Answer: "\n    p += request.args["q"]\n    return «p»\n`, untrusted, 'untrusted', /HTTP request/);
  });

  it('ends taint at an unconditional constant assignment, but not at a conditional one', async () => {
    await expectClean('python', `${FLASK}def f():\n    q = request.args["q"]\n    q = "fixed"\n    return «q»\n`, untrusted);
    await expectTaint('python', `${FLASK}def f(flag):\n    q = "fixed"\n    if flag:\n        q = request.args["q"]\n    return «q»\n`, untrusted, 'untrusted', /HTTP request/);
  });

  it('stops at sanitizers: schema validation always, json.dumps only for delimiting, int() for numbers', async () => {
    const base = `${OPENAI_PY}from pydantic import BaseModel\nclass A(BaseModel):\n    x: int\nr = client.chat.completions.create(model="m", messages=[])\ntext = r.choices[0].message.content\n`;
    await expectClean('python', `${base}v = A.model_validate_json(text)\nprint(«v»)\n`, output);
    await expectTaint('python', `${base}import json\nd = json.dumps(text)\nprint(«d»)\n`, output, 'llm-output', /model output/);
    await expectClean('python', `${base}import json\nd = json.dumps(text)\nprint(«d»)\n`, { labels: ['llm-output'], sanitizers: ['delimit'] });
    await expectClean('python', `${base}n = int(text)\nprint(«n»)\n`, { labels: ['llm-output'], sanitizers: ['number'] });
    await expectClean('python', `${base}n = len(text)\nprint(«n»)\n`, output);
  });

  it('finds secrets in the environment by name only', async () => {
    await expectTaint('python', 'import os\nk = os.environ["OPENAI_API_KEY"]\nprint(«k»)\n', { labels: ['secret'] }, 'secret', /OPENAI_API_KEY/);
    await expectTaint('python', 'import os\nk = os.getenv("DB_PASSWORD", "")\nprint(«k»)\n', { labels: ['secret'] }, 'secret', /DB_PASSWORD/);
    await expectClean('python', 'import os\nm = os.environ["MODEL_NAME"]\nprint(«m»)\n', { labels: ['secret'] });
  });

  it('is clean for constants, unrelated parameters and other labels', async () => {
    await expectClean('python', 'def f(config):\n    s = "You are helpful."\n    return «s + config.name»\n', untrusted);
    await expectClean('python', `${FLASK}def f():\n    return «request.args["q"]»\n`, output);
  });

  it('terminates on recursion and on deeply nested expressions', async () => {
    await expectTaint('python', `${FLASK}def loop(x, n):\n    if n == 0:\n        return x\n    return loop(x + "!", n - 1)\ndef f():\n    return «loop(request.args["q"], 3)»\n`, untrusted, 'untrusted', /HTTP request/);
    const deep = `${'('.repeat(400)}request.args["q"]${')'.repeat(400)}`;
    await query('python', `${FLASK}x = «${deep}»\n`, untrusted); // must return, tainted or not
  });
});

describe('taint: JavaScript/TypeScript propagation', () => {
  const EXPRESS = "import express from 'express';\nconst app = express();\n";
  it('follows Express request data through destructuring and template literals', async () => {
    await expectTaint('typescript', `${EXPRESS}app.post('/ask', (req, res) => {\n  const { question } = req.body;\n  const p = \`Q: \${question}\`;\n  res.send(«p»);\n});\n`, untrusted, 'untrusted', /app\.post\('\/ask'\)/);
  });

  it('follows model output from the AI SDK and the OpenAI SDK through helpers', async () => {
    await expectTaint('typescript', "import { generateText } from 'ai';\nexport async function f() {\n  const { text } = await generateText({ model, prompt: 'x' });\n  const upper = text.toUpperCase();\n  return «upper»;\n}\n", output, 'llm-output', /ai\.generateText/);
    await expectTaint(
      'typescript',
      "import OpenAI from 'openai';\nconst openai = new OpenAI();\nasync function ask(p: string) {\n  const r = await openai.chat.completions.create({ model: 'm', messages: [] });\n  return r.choices[0].message.content;\n}\nexport async function g() {\n  const a = await ask('x');\n  return «a»;\n}\n",
      output,
      'llm-output',
      /chat\.completions\.create/,
    );
  });

  it('treats Next.js route handlers, server actions and tools as sources', async () => {
    await expectTaint('typescript', 'export async function POST(request: Request) {\n  const body = await request.json();\n  return «body.q»;\n}\n', untrusted, 'untrusted', /route handler `POST`/);
    await expectTaint('typescript', "'use server';\nexport async function save(note: string) {\n  return «note»;\n}\n", untrusted, 'untrusted', /server action/);
    await expectTaint('typescript', "import { tool } from 'ai';\nexport const t = tool({ description: 'x', execute: async ({ path }) => «path» });\n", output, 'llm-output', /tool/);
  });

  it('follows reassignment in callbacks and augmented assignment, and ends at constants', async () => {
    await expectTaint('typescript', `${EXPRESS}app.get('/x', (req, res) => {\n  let p = 'Hi ';\n  p += req.query.name;\n  res.send(«p»);\n});\n`, untrusted, 'untrusted', /app\.get/);
    await expectClean('typescript', `${EXPRESS}app.get('/x', (req, res) => {\n  let p = req.query.name;\n  p = 'constant';\n  res.send(«p»);\n});\n`, untrusted);
  });

  it('stops at zod validation, JSON.stringify for delimiting, Number() and comparisons', async () => {
    const base = "import { z } from 'zod';\nimport { generateText } from 'ai';\nconst S = z.object({ a: z.string() });\nexport async function f() {\n  const { text } = await generateText({ model, prompt: 'x' });\n";
    await expectClean('typescript', `${base}  const v = S.parse(JSON.parse(text));\n  return «v»;\n}\n`, output);
    await expectClean('typescript', `${base}  const n = Number(text);\n  return «n»;\n}\n`, { labels: ['llm-output'], sanitizers: ['number'] });
    await expectClean('typescript', `${base}  const ok = text === 'yes';\n  return «ok»;\n}\n`, output);
    await expectClean('typescript', `${base}  const s = JSON.stringify(text);\n  return «s»;\n}\n`, { labels: ['llm-output'], sanitizers: ['delimit'] });
  });

  it('follows array callbacks, JSX props and property writes without rebinding the object', async () => {
    const gen = "import { generateText } from 'ai';\n";
    await expectTaint('typescript', `${gen}export async function f() {\n  const { text } = await generateText({ model, prompt: 'x' });\n  const parts = text.split('\\n');\n  return parts.map((p) => «p»);\n}\n`, output, 'llm-output', /generateText/);
    const tsx = `${gen}function Bubble({ text }: { text: string }) {\n  return <div dangerouslySetInnerHTML={{ __html: «text» }} />;\n}\nexport async function Page() {\n  const { text } = await generateText({ model, prompt: 'x' });\n  return <Bubble text={text} />;\n}\n`;
    const start = tsx.indexOf('«');
    const code = tsx.replace('«', '').replace('»', '');
    const engine = await sharedEngine();
    const tree = engine.parse('tsx', code);
    try {
      const node = tree.rootNode.descendantForIndex(start, start + 4)!;
      const path = new TaintAnalysis(new JavaScriptTaintAdapter(new JavaScriptFacts(tree))).taintOf(node, output);
      assert.ok(path, 'props carry taint into the component');
      assert.ok(path.steps.some((s) => /passed to `Bubble\(\)`/.test(s.message)));
    } finally {
      tree.delete();
    }
    await expectClean('typescript', `${gen}export async function f(el: HTMLElement) {\n  const { text } = await generateText({ model, prompt: 'x' });\n  el.innerHTML = text;\n  return «el»;\n}\n`, output);
  });

  it('resolves annotated parameters to instances of their types', async () => {
    const engine = await sharedEngine();
    const code = "import { Pool } from 'pg';\nexport async function run(pool: Pool, sql: string) {\n  return pool.query(sql);\n}\n";
    const tree = engine.parse('typescript', code);
    try {
      const call = tree.rootNode.descendantsOfType('call_expression')[0]!;
      assert.equal(new JavaScriptFacts(tree).resolve(call.childForFieldName('function')), 'pg.Pool().query');
    } finally {
      tree.delete();
    }
  });

  it('finds secrets in process.env by name', async () => {
    await expectTaint('typescript', 'const key = process.env.ANTHROPIC_API_KEY;\nconsole.log(«key»);\n', { labels: ['secret'] }, 'secret', /ANTHROPIC_API_KEY/);
    await expectClean('typescript', 'const m = process.env.MODEL;\nconsole.log(«m»);\n', { labels: ['secret'] });
  });
});
