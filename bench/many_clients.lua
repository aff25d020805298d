-- wrk script: each request comes from a random client address, as seen through a trusted
-- proxy (X-Forwarded-For), so that Orion's per-address rate limits count many small
-- clients, as behind a shop's gateway, instead of one client with an absurd limit.
math.randomseed(os.time())

request = function()
  local address = string.format(
    "10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254)
  )
  return wrk.format(nil, nil, { ["X-Forwarded-For"] = address })
end
