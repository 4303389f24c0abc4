Deno.serve(() => new Response("create-checkout-session"));
