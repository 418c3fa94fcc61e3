-- Drives Neovim's built-in LSP client (headless) against `nnc lsp`: attaches it to the spec in $NNC_SPEC, waits for
-- the diagnostics, asks for a hover at $NNC_HOVER_LINE/$NNC_HOVER_COL (0-based), fixes the buffer's line
-- $NNC_FIX_LINE to $NNC_FIX_TEXT and waits for the diagnostics to clear, then writes what it saw to $NNC_OUT as JSON.
-- Written for Neovim 0.7 (Debian's), whose client is started with vim.lsp.start_client.
local result = { log = {} }
local function finish()
  local f = io.open(vim.env.NNC_OUT, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.NNC_SPEC))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = 'nnc',
  cmd = { vim.env.NNC_BIN, 'lsp' },
  root_dir = vim.fn.fnamemodify(vim.env.NNC_SPEC, ':h'),
  on_exit = function(code) table.insert(result.log, 'exit ' .. tostring(code)) end,
})
if not id then
  result.error = 'the client did not start'
  return finish()
end
vim.lsp.buf_attach_client(buf, id)

local function diagnostics()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
    table.insert(out, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col, message = d.message, code = code, severity = d.severity })
  end
  return out
end

result.got_diagnostics = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
result.diagnostics = diagnostics()

local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = tonumber(vim.env.NNC_HOVER_LINE), character = tonumber(vim.env.NNC_HOVER_COL) },
}
local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000) or {}
for _, r in pairs(responses) do
  if r.result and r.result.contents then result.hover = r.result.contents.value or r.result.contents end
  if r.err then result.hover_error = r.err.message end
end

local line = tonumber(vim.env.NNC_FIX_LINE)
vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { vim.env.NNC_FIX_TEXT })
result.cleared = vim.wait(30000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
result.after_fix = diagnostics()
finish()
