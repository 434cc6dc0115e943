// Drives slm serve with the official OpenAI client (see OpenAiNodeClientTest) and prints what it
// saw as one JSON object on stdout. Usage: node client.mjs BASE_URL API_KEY [IMAGE_DATA_URL]
import OpenAI from 'openai';

const [baseURL, apiKey, imageUrl] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120_000 });
const messages = [{ role: 'system', content: 'You tell stories.' }, { role: 'user', content: 'Once upon a time' }];
const out = {};

async function slotsActive() {
  const metrics = await fetch(new URL('/metrics', baseURL), { headers: { Authorization: `Bearer ${apiKey}` } });
  const line = (await metrics.text()).split('\n').find((l) => l.startsWith('slm_slots_active{model="stories"}'));
  return Number(line.split(' ')[1]);
}

async function failure(call) {
  try {
    await call();
    return { status: 'no error' };
  } catch (err) {
    return { name: err.constructor.name, status: err.status, code: err.code, param: err.param, type: err.type, message: err.message };
  }
}

const models = [];
for await (const model of client.models.list()) {
  models.push(model.id);
}
out.models = models;

const chat = await client.chat.completions.create({ model: 'stories', messages, max_tokens: 12, temperature: 0 });
out.chat = { object: chat.object, id: chat.id, role: chat.choices[0].message.role, content: chat.choices[0].message.content,
  finish: chat.choices[0].finish_reason, usage: chat.usage };

const stream = await client.chat.completions.create({ model: 'stories', messages, max_tokens: 12, temperature: 0,
  stream: true, stream_options: { include_usage: true } });
let text = '';
let finish = null;
let usage = null;
let contentChunks = 0;
for await (const chunk of stream) {
  if (chunk.choices.length > 0) {
    const piece = chunk.choices[0].delta.content;
    if (piece) {
      text += piece;
      contentChunks++;
    }
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  if (chunk.usage) {
    usage = chunk.usage;
  }
}
out.stream = { text, finish, usage, contentChunks };

// Chunks must arrive while the generation still runs; then the client walks away mid-stream.
const long = await client.completions.create({ model: 'stories', prompt: 'Once upon a time', max_tokens: 1500,
  temperature: 0, stream: true });
let seen = 0;
let activeAtFirstChunk = null;
for await (const chunk of long) {
  if (seen === 0) {
    activeAtFirstChunk = await slotsActive();
  }
  if (++seen === 5) {
    break; // aborts the request: the server must cancel the generation
  }
}
out.early = { activeAtFirstChunk, seen };

const completion = await client.completions.create({ model: 'stories', prompt: 'Once upon a time', max_tokens: 10, temperature: 0 });
out.completion = { object: completion.object, text: completion.choices[0].text, finish: completion.choices[0].finish_reason,
  usage: completion.usage };

const embeddings = await client.embeddings.create({ model: 'stories-embed', input: ['Once upon a time', 'a little dog'] });
const floats = await client.embeddings.create({ model: 'stories-embed', input: 'Once upon a time', encoding_format: 'float' });
out.embeddings = { count: embeddings.data.length, dims: embeddings.data[0].embedding.length,
  head: embeddings.data[0].embedding.slice(0, 4), floatHead: floats.data[0].embedding.slice(0, 4), usage: embeddings.usage };

if (imageUrl) {
  // A vision model ('seer'): image_url content parts, whole and streamed, and a bad image.
  const look = (url) => [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }, { type: 'text', text: 'What is it?' }] }];
  const seen = await client.chat.completions.create({ model: 'seer', messages: look(imageUrl), max_tokens: 3, temperature: 0 });
  const blind = await client.chat.completions.create({ model: 'seer', messages: [{ role: 'user', content: 'What is it?' }],
    max_tokens: 3, temperature: 0 });
  let streamed = '';
  for await (const chunk of await client.chat.completions.create({ model: 'seer', messages: look(imageUrl), max_tokens: 3,
    temperature: 0, stream: true })) {
    streamed += chunk.choices[0]?.delta?.content ?? '';
  }
  out.image = { promptTokens: seen.usage.prompt_tokens, textPromptTokens: blind.usage.prompt_tokens,
    content: seen.choices[0].message.content, streamed,
    bad: await failure(() => client.chat.completions.create({ model: 'seer', messages: look('data:image/png;base64,aGVsbG8='),
      max_tokens: 3 })) };
}

out.notFound = await failure(() => client.chat.completions.create({ model: 'nope', messages }));
out.badRequest = await failure(() => client.chat.completions.create({ model: 'stories', messages, max_tokens: -1 }));
out.unauthorized = await failure(() => new OpenAI({ baseURL, apiKey: 'wrong-key-0000', maxRetries: 0 }).models.list());

console.log(JSON.stringify(out));
