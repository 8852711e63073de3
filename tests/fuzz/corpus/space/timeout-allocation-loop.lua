loca=l t = {}
for i = 1, 1e9 do __lt = string.rep ("x", 697) .. i end
