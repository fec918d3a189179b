// Renders assistant answers in the chat window (a React server component calls the model).
import { openai } from '@ai-sdk/openai';
import { generateText } from 'ai';
import ReactMarkdown from 'react-markdown';
import rehypeRaw from 'rehype-raw';

function ChatMessage({ answer }: { answer: string }) {
  // Answers may contain tables and <details> blocks, so raw HTML is allowed through.
  return <ReactMarkdown rehypePlugins={[rehypeRaw]}>{answer}</ReactMarkdown>;
}

export default async function AnswerPage({ question }: { question: string }) {
  const { text } = await generateText({ model: openai('gpt-4o-mini'), prompt: question });
  return <ChatMessage answer={text} />;
}
