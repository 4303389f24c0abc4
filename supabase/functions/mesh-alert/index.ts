// Pushes a hazard alert to nearby users through FCM.
Deno.serve(async (req) => {
  const { tokens, title } = await req.json();
  const res = await fetch("https://fcm.googleapis.com/fcm/send", {
    method: "POST",
    headers: {
      authorization: `key=${Deno.env.get("FCM_SERVER_KEY")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ registration_ids: tokens, notification: { title } }),
  });
  return new Response(null, { status: res.ok ? 204 : 502 });
});
