// deno-lint-ignore-file no-window -- browser code: `window` is the page's global (the rules are for Deno, which has none)
import { Component, type ReactNode } from 'react'

/** A screen that throws shows what went wrong instead of blanking the whole console. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null }

  static getDerivedStateFromError(error: Error) {
    return { error }
  }

  override render() {
    if (!this.state.error) return this.props.children
    return (
      <div className='screen panel' role='alert'>
        <h2>Something went wrong</h2>
        <p className='error-text'>{this.state.error.message}</p>
        <button type='button' onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    )
  }
}
