local function f () while -eru do end end
while true do pcall (f) end
