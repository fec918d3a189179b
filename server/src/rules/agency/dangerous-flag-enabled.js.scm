; `allowDangerousRequests: true` in an options object (quoted or not), and the shorthand
; `{ allowDangerousRequests }` of a variable holding the switch.
((pair key: (property_identifier) @name value: (_) @value) @item
  (#eq? @name "allowDangerousRequests"))
((pair key: (string (string_fragment) @name) value: (_) @value) @item
  (#eq? @name "allowDangerousRequests"))
((shorthand_property_identifier) @name @item
  (#eq? @name "allowDangerousRequests"))
