Deno.serve(() => new Response("stripe-webhook"));
