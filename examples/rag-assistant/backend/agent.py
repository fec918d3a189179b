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
