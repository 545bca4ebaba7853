// One MUI theme for the whole studio: neutral surfaces, one accent, compact density for tables.
import { createTheme, type PaletteMode } from '@mui/material/styles';

export function studioTheme(mode: PaletteMode) {
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === 'dark' ? '#7aa7ff' : '#2456c7' },
      secondary: { main: mode === 'dark' ? '#f0a35e' : '#c2611a' },
      background:
        mode === 'dark' ? { default: '#101318', paper: '#171b22' } : { default: '#f5f6f8', paper: '#ffffff' },
    },
    shape: { borderRadius: 8 },
    typography: {
      fontFamily: 'Inter, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
      h5: { fontWeight: 600 },
      h6: { fontWeight: 600 },
    },
    components: {
      MuiButton: {
        defaultProps: { disableElevation: true },
        styleOverrides: { root: { textTransform: 'none' } },
      },
      MuiToggleButton: {
        styleOverrides: { root: { textTransform: 'none', paddingTop: 4, paddingBottom: 4 } },
      },
      MuiPaper: { defaultProps: { variant: 'outlined' } },
      MuiTableCell: { styleOverrides: { root: { paddingTop: 6, paddingBottom: 6 } } },
      MuiTextField: { defaultProps: { size: 'small' } },
      MuiSelect: { defaultProps: { size: 'small' } },
    },
  });
}
