-- Expire due holds (up to the sweep limit). Returns {due ids looked at, holds expired}.
return sweep(now_ms())
