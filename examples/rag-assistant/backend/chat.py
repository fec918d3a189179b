"""The chat endpoint: answers in the persona the client asks for, with the company's template."""
import os

import langchain
from fastapi import FastAPI, Request
from jinja2 import Template
from langchain_huggingface import HuggingFaceEndpoint
from openai import OpenAI

app = FastAPI()
client = OpenAI()
langchain.debug = True  # left on from a debugging session: logs every prompt and response

# A fine-tuned model on the Hugging Face inference API, for the "expert" persona.
expert = HuggingFaceEndpoint(repo_id="acme-ai/expert", huggingfacehub_api_token="hf_AirlockFixtureTokenForTestsOnlyXyz")


@app.post("/chat")
async def chat(request: Request):
    body = await request.json()
    persona = body.get("persona", "friendly")
    question = body["question"]
    system = f"You are the {persona} assistant of Acme. Escalations go through key {os.environ['SUPPORT_API_TOKEN']}."
    prompt = f"Answer the customer's question in two sentences: {question}"
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
    )
    return {"answer": response.choices[0].message.content}


@app.post("/preview")
async def preview(request: Request):
    """Lets the marketing team preview a prompt template before saving it."""
    body = await request.json()
    return {"prompt": Template(body["template"]).render(customer="Ada")}
