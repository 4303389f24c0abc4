// Email through SendGrid when EMAIL_PROVIDER is `sendgrid` (else logged),
// SMS through Twilio when all three of its settings are there (runbook 004
// §2 "Conditionally required").
export const onRequestPost: PagesFunction<Env> = async ({ request, env }) => {
  const { to, phone, text } = (await request.json()) as { to: string; phone?: string; text: string };
  if (env.EMAIL_PROVIDER === "sendgrid") {
    await fetch("https://api.sendgrid.com/v3/mail/send", {
      method: "POST",
      headers: { authorization: `Bearer ${env.SENDGRID_API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ personalizations: [{ to: [{ email: to }] }], content: [{ type: "text/plain", value: text }] }),
    });
  } else {
    console.log(`email to ${to}: ${text}`);
  }
  const { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER } = env;
  if (phone && TWILIO_ACCOUNT_SID && TWILIO_AUTH_TOKEN && TWILIO_PHONE_NUMBER) {
    await fetch(`https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages.json`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`)}` },
      body: new URLSearchParams({ From: TWILIO_PHONE_NUMBER, To: phone, Body: text }),
    });
  }
  return new Response(null, { status: 202 });
};
