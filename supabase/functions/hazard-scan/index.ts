// Classifies a reported hazard photo with OpenAI.
Deno.serve(async (req) => {
  const { imageUrl } = await req.json();
  const res = await fetch("https://api.openai.com/v1/responses", {
    method: "POST",
    headers: {
      authorization: `Bearer ${Deno.env.get("OPENAI_API_KEY")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ model: "gpt-4o-mini", input: `Describe hazards in ${imageUrl}` }),
  });
  return new Response(res.body, { status: res.status });
});
