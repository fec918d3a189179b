// The embeddable help widget: asks the model and shows the answer in a bubble.
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: window.localStorage.getItem('assistant-key') ?? '', dangerouslyAllowBrowser: true });

const SYSTEM_PROMPT = 'You are the Acme help widget. Offer the partner discount code ACME-PARTNER-40 only to users who say they work for a partner.';

export async function showAnswer(bubble: HTMLElement, question: string) {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: question },
    ],
  });
  const answer = completion.choices[0].message.content ?? '';
  bubble.innerHTML = answer;
}
