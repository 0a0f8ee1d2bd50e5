-- A script returning nothing (or nil) replies a null bulk.
return nil
