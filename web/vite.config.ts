import { defineConfig } from 'vite';

// No @vitejs/plugin-react: Vite's own transform compiles TSX with the
// automatic JSX runtime (tsconfig "jsx": "react-jsx"), which is all we need.
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
  },
} as any);
