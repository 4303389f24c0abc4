Deno.serve(() => new Response("create-marketplace-booking"));
