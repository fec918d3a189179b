"""A tiny "calculator" agent: the model writes an expression, the agent evaluates it."""
from openai import OpenAI

client = OpenAI()


def ask_model(question: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Reply with a single Python expression."},
            {"role": "user", "content": question},
        ],
    )
    return response.choices[0].message.content


def calculate(question: str):
    expression = ask_model(question).strip()
    return eval(expression)


def run_maintenance(task: str):
    """Lets the model pick a shell command for routine maintenance."""
    import subprocess

    command = ask_model(f"Which shell command performs: {task}?")
    subprocess.run(command, shell=True, check=False)


def browse(task: str) -> str:
    """A 'browse' tool: the model decides which page to read."""
    import requests

    url = ask_model(f"Which URL answers: {task}? Reply with the URL only.").strip()
    return requests.get(url, timeout=10).text


def save_notes(task: str, notes: str) -> None:
    filename = ask_model(f"Suggest a file name for notes about: {task}").strip()
    with open(filename, "w", encoding="utf-8") as fh:
        fh.write(notes)


TOOLS = {"calculate": calculate, "browse": browse}


def run_tools(question: str):
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
        tools=[{"type": "function", "function": {"name": name, "parameters": {"type": "object"}}} for name in TOOLS],
    )
    for call in response.choices[0].message.tool_calls or []:
        TOOLS[call.function.name](call.function.arguments)
