// The embeddable help widget: asks the model and shows the answer in a bubble.
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: window.localStorage.getItem('assistant-key') ?? '', dangerouslyAllowBrowser: true });

export async function showAnswer(bubble: HTMLElement, question: string) {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: question }],
  });
  const answer = completion.choices[0].message.content ?? '';
  bubble.innerHTML = answer;
}
