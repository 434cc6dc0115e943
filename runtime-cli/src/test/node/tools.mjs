// Tool calls through slm serve with the official OpenAI client (see OpenAiNodeClientTest); prints
// what it saw as one JSON object on stdout.
// Usage: node tools.mjs tools BASE_URL API_KEY   (tool calls, a tool result, a late system message, the
//                                                Responses API's function calls)
//        node tools.mjs error BASE_URL API_KEY   (a stream that fails midway: the client must raise)
import OpenAI from 'openai';

const [mode, baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120_000 });
const tools = [{
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string', enum: ['Paris', 'London'] } }, required: ['city'] },
  },
}];
const user = { role: 'user', content: 'What is the weather in Paris?' };
const base = { model: 'agent', tools, temperature: 0, max_tokens: 200 };
const out = {};

function calls(message) {
  return (message.tool_calls ?? []).map((c) => ({ id: c.id, type: c.type, name: c.function.name, arguments: c.function.arguments }));
}

if (mode === 'tools') {
  const required = await client.chat.completions.create({ ...base, messages: [user], tool_choice: 'required',
    parallel_tool_calls: false });
  out.required = { finish: required.choices[0].finish_reason, model: required.model, calls: calls(required.choices[0].message) };

  // The raw stream: tool-call deltas by index, as OpenAI sends them.
  const stream = await client.chat.completions.create({ ...base, messages: [user],
    tool_choice: { type: 'function', function: { name: 'get_weather' } }, stream: true });
  const deltas = {};
  let finish = null;
  for await (const chunk of stream) {
    for (const d of chunk.choices[0]?.delta?.tool_calls ?? []) {
      const c = (deltas[d.index] ??= { name: '', arguments: '', id: null });
      c.id = d.id ?? c.id;
      c.name += d.function?.name ?? '';
      c.arguments += d.function?.arguments ?? '';
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  out.streamed = { finish, calls: Object.values(deltas) };

  // The SDK's own accumulator of streamed tool calls.
  const helper = client.chat.completions.stream({ ...base, messages: [user], tool_choice: 'required', parallel_tool_calls: false });
  const final = await helper.finalChatCompletion();
  out.helper = { finish: final.choices[0].finish_reason, calls: calls(final.choices[0].message) };

  const auto = await client.chat.completions.create({ ...base, messages: [user], tool_choice: 'auto', max_tokens: 8 });
  out.auto = { finish: auto.choices[0].finish_reason, content: auto.choices[0].message.content, calls: calls(auto.choices[0].message) };

  const assistant = required.choices[0].message;
  const conversation = await client.chat.completions.create({ ...base, max_tokens: 8, messages: [
    user, assistant,
    { role: 'tool', tool_call_id: assistant.tool_calls[0].id, content: 'sunny, 21 C' },
    { role: 'system', content: 'Answer in one word.' },
    { role: 'user', content: 'So?' },
  ] });
  out.conversation = { role: conversation.choices[0].message.role, content: conversation.choices[0].message.content };

  // The Responses API: function tools in its own shape, function_call items back, then the result.
  const responsesTools = [{ type: 'function', ...tools[0].function }];
  const question = 'What is the weather in Paris?';
  const called = await client.responses.create({ model: 'agent', input: question, tools: responsesTools,
    tool_choice: 'required', parallel_tool_calls: false, temperature: 0, max_output_tokens: 200 });
  const items = called.output.filter((o) => o.type === 'function_call');
  const rstream = await client.responses.create({ model: 'agent', input: question, tools: responsesTools,
    tool_choice: { type: 'function', name: 'get_weather' }, temperature: 0, max_output_tokens: 200, stream: true });
  let streamedArguments = '';
  let completed = null;
  for await (const event of rstream) {
    if (event.type === 'response.function_call_arguments.delta') streamedArguments += event.delta;
    if (event.type === 'response.completed') completed = event.response;
  }
  const answered = await client.responses.create({ model: 'agent', tools: responsesTools, max_output_tokens: 8,
    input: [{ role: 'user', content: question }, ...items,
      { type: 'function_call_output', call_id: items[0].call_id, output: 'sunny, 21 C' }] });
  out.responses = {
    calls: items.map((i) => ({ name: i.name, arguments: i.arguments, call_id: i.call_id })),
    streamed: { arguments: streamedArguments,
      calls: (completed?.output ?? []).filter((o) => o.type === 'function_call').map((i) => ({ name: i.name, arguments: i.arguments })) },
    answer: answered.output_text,
  };
} else if (mode === 'error') {
  // The model loads on first use, which may itself take longer than the short timeout: warm up first.
  for (let i = 0; i < 10; i++) {
    try {
      await client.chat.completions.create({ model: 'agent', max_tokens: 1, messages: [user] });
      break;
    } catch (err) {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  let text = '';
  try {
    const stream = await client.chat.completions.create({ model: 'agent', temperature: 0, max_tokens: 4000,
      messages: [{ role: 'user', content: 'Once upon a time' }], stream: true });
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    out.error = { name: 'none', received: text.length };
  } catch (err) {
    out.error = { name: err.constructor.name, message: err.message, received: text.length };
  }
}
console.log(JSON.stringify(out));
