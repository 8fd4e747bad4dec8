-- Run by tests/cli/lsp.rs in `nvim --headless` (Neovim 0.7 and later):
-- attaches `assure lsp` ($ASSURE) to the current buffer, waits for its
-- diagnostics, asks for the code actions on line 20 (0-based), applies the first,
-- and writes what it saw to $RESULT; then quits.
local out = {}
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'assure',
  cmd = { os.getenv('ASSURE'), 'lsp' },
  root_dir = vim.fn.getcwd(),
})
vim.lsp.buf_attach_client(bufnr, client_id)
vim.wait(10000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)

local diagnostics = vim.diagnostic.get(bufnr)
table.sort(diagnostics, function(a, b)
  if a.lnum ~= b.lnum then return a.lnum < b.lnum end
  return a.col < b.col
end)
local seen = {}
for _, d in ipairs(diagnostics) do
  table.insert(seen, string.format('%d:%d %s', d.lnum, d.col, tostring(d.code)))
end
table.insert(out, 'diagnostics: ' .. table.concat(seen, ', '))

local client = vim.lsp.get_client_by_id(client_id)
local params = {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  range = { start = { line = 20, character = 0 }, ['end'] = { line = 20, character = 0 } },
  context = { diagnostics = {} },
}
local response = client.request_sync('textDocument/codeAction', params, 5000, bufnr)
local actions = (response and response.result) or {}
local titles = {}
for _, action in ipairs(actions) do table.insert(titles, action.title) end
table.insert(out, 'actions at 20: ' .. table.concat(titles, ' | '))
if actions[1] and actions[1].edit then
  vim.lsp.util.apply_workspace_edit(actions[1].edit, client.offset_encoding or 'utf-16')
end
table.insert(out, 'line 20 after: ' .. vim.api.nvim_buf_get_lines(bufnr, 20, 21, false)[1])

local file = io.open(os.getenv('RESULT'), 'w')
file:write(table.concat(out, '\n') .. '\n')
file:close()
vim.lsp.stop_client(client_id)
vim.cmd('qa!')
